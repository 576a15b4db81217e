#!/usr/bin/env python3
"""Generates deals files for bench/run-memory.sh from the bundled examples.

    gen_deals.py N DEALS.jsonl LEADS.csv

Every copy of an example deal gets its own id, customer and people (so that no record is
rejected for a duplicate customer or an owner over the claim quota); the CSV file repeats the
example leads the same way.
"""
import csv
import json
import sys

n, jsonl_path, csv_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]

deals = [line for line in open("examples/standard-sale.deals.jsonl", encoding="utf-8") if line.strip()]
people = set()
for line in deals:
    record = json.loads(line)
    for key in ("owner", "by"):
        if record.get(key):
            people.add(record[key])
    for members in (record.get("roles") or {}).values():
        people.update(members if isinstance(members, list) else [members])
    for event in record.get("events", []):
        if event.get("by"):
            people.add(event["by"])

with open(jsonl_path, "w", encoding="utf-8") as out:
    for i in range(n):
        line = deals[i % len(deals)]
        group = i // len(deals)
        for person in people:
            line = line.replace('"%s"' % person, '"%s-%d"' % (person, group))
        record = json.loads(line)
        record["id"] = "B-%d" % i
        record["fields"]["customer_name"] = "客户%d有限公司" % i
        if "tax_id" in record["fields"]:
            record["fields"]["tax_id"] = "TAX%d" % i
        out.write(json.dumps(record, ensure_ascii=False) + "\n")

with open("examples/standard-sale.leads.csv", encoding="utf-8", newline="") as source:
    rows = list(csv.reader(source))
header, leads = rows[0], rows[1:]
column = {name: k for k, name in enumerate(header)}
with open(csv_path, "w", encoding="utf-8", newline="") as out:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(n):
        row = list(leads[i % len(leads)])
        row[column["id"]] = "L-%d" % i
        row[column["owner"]] = "u%d" % (i // 15)
        row[column["customer_name"]] = "客户%d有限公司" % i
        if row[column["tax_id"]]:
            row[column["tax_id"]] = "TAX%d" % i
        writer.writerow(row)
