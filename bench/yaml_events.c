/*
 * yaml_events: libyaml's raw event loop over one file -- the floor `flowc check` is compared with.
 *
 *   gcc -O2 -o bench/out/yaml_events bench/yaml_events.c -lyaml
 *   yaml_events FILE [REPEAT]
 *
 * Reads FILE into memory once, then REPEAT times (default 1): yaml_parser_parse until
 * STREAM_END, deleting every event (the same calls and settings as Sources/FlowYAML and
 * `flowc-bench raw`). Prints one line per repetition with the process CPU time and the wall time
 * of the parse loop alone, then a summary line with the medians. Exit 1 on a libyaml error.
 */
#include <yaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Returns the number of events, or -1 on a libyaml error. */
static long parse(const unsigned char *buf, size_t len) {
    yaml_parser_t parser;
    yaml_event_t event;
    long events = 0;
    if (!yaml_parser_initialize(&parser)) return -1;
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);
    yaml_parser_set_input_string(&parser, buf, len);
    for (;;) {
        if (!yaml_parser_parse(&parser, &event)) {
            fprintf(stderr, "yaml_events: %s at line %lu\n", parser.problem ? parser.problem : "parse error",
                    (unsigned long)parser.problem_mark.line + 1);
            yaml_parser_delete(&parser);
            return -1;
        }
        events++;
        int done = event.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&event);
        if (done) break;
    }
    yaml_parser_delete(&parser);
    return events;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: yaml_events FILE [REPEAT]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 1;
    if (reps < 1) reps = 1;
    FILE *f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    /* One spare byte so that an empty file still gives libyaml a valid pointer. */
    unsigned char *buf = malloc((size_t)size + 1);
    if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) { perror(argv[1]); return 2; }
    fclose(f);

    double *cpu = malloc(sizeof(double) * (size_t)reps), *wall = malloc(sizeof(double) * (size_t)reps);
    long events = 0;
    for (int i = 0; i < reps; i++) {
        double c0 = now(CLOCK_PROCESS_CPUTIME_ID), w0 = now(CLOCK_MONOTONIC);
        events = parse(buf, (size_t)size);
        double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
        if (events < 0) return 1;
        cpu[i] = c1 - c0;
        wall[i] = w1 - w0;
        if (reps > 1) printf("rep %d: cpu %.6f s, wall %.6f s\n", i + 1, cpu[i], wall[i]);
    }
    double mb = (double)size / 1048576.0;
    /* median() sorts in place, so [0] is then the minimum. */
    double c = median(cpu, reps), w = median(wall, reps);
    printf("{\"bytes\": %ld, \"events\": %ld, \"reps\": %d, \"cpu_median\": %.6f, \"cpu_min\": %.6f, "
           "\"wall_median\": %.6f, \"wall_min\": %.6f, \"mib_per_s\": %.1f}\n",
           size, events, reps, c, cpu[0], w, wall[0], mb / c);
    free(cpu);
    free(wall);
    free(buf);
    return 0;
}
