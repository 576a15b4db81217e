/// The currency codes of ISO 4217 (the list in force in 2026, funds and precious metals
/// included), which a money field's `currency` and a money literal's must be one of.
package enum CurrencyCodes {
    package static let iso4217: Set<String> = Set("""
        AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN \
        BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP \
        ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK \
        JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK \
        MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN \
        PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB \
        TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG \
        XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL
        """.split(separator: " ").map(String.init))

    /// Names people write for a currency in place of its code.
    package static let commonNames = [
        "RMB": "CNY", "YEN": "JPY", "NTD": "TWD", "HKG": "HKD", "UKP": "GBP", "STG": "GBP",
        // In Chinese (QA round 22: `currency: 人民币` got no help).
        "人民币": "CNY", "美元": "USD", "欧元": "EUR", "港币": "HKD", "港元": "HKD", "日元": "JPY", "英镑": "GBP",
        "新台币": "TWD", "澳元": "AUD", "加元": "CAD", "新加坡元": "SGD", "韩元": "KRW", "卢布": "RUB",
    ]
}
