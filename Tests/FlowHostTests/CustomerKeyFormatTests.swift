import FlowExpr
import FlowRuntime
import FlowStore
import Testing

/// The runtime joins a deal's customer keys into one column; the store splits that column to
/// index each key: the two read the same format.
@Suite struct CustomerKeyFormatTests {
    @Test func theStoreSplitsTheKeysTheRuntimeJoins() throws {
        let m = standard.machine
        var fields = [ExprValue?](repeating: nil, count: m.fields.count)
        fields[try #require(m.fields.firstIndex { $0.id == "customer_name" })] = .text("星辰科技有限公司")
        fields[try #require(m.fields.firstIndex { $0.id == "tax_id" })] = .text("91110000MA01")
        let keys = CustomerKey.keys(m, fields: fields)
        #expect(keys.count == 2)
        let index = DealIndex(templateHash: m.template.hash, status: "open", isOpen: true, customerKey: CustomerKey.key(m, fields: fields))
        #expect(index.customerKeys == keys)
        #expect(CustomerKey.keySeparator == String(DealIndex.customerKeySeparator))
    }
}
