import SSHCrypto

// MARK: - Host keys from stores (server digest §1.2, §4.1, §5)

extension SSHServer {
    /// `SSHCertStoreType`: 6 a key file, 7 the key itself, 99 (our default) either; other values
    /// are refused when the key is loaded, with the reason (digest §5).
    public var sshCertStoreType: Int {
        get { certificates.primary.type }
        set { certificates.primary.type = newValue }
    }

    /// `SSHCertStore`: the key file's path, or the key (OpenSSH or PEM text, or its base64).
    public var sshCertStore: String {
        get { certificates.primary.store }
        set { certificates.primary.store = newValue }
    }

    /// `SSHCertStorePassword`: the key's passphrase, if it is encrypted.
    public var sshCertStorePassword: String {
        get { certificates.primary.password }
        set { certificates.primary.password = newValue }
    }

    /// `SSHCertSubject`: the subject of the loaded key ("*" for a bare key), or "" when none is.
    public var sshCertSubject: String { certificates.primary.subject }

    /// Setting `SSHCertSubject` (last, as the seeds require) loads the key the store settings
    /// name and makes it the first host key. "*" or "" take the key; other text must equal the
    /// key's comment. Fails with 1301 and the reason; then no key is selected.
    public func setSSHCertSubject(_ subject: String) throws(SSHServerError) {
        // On failure no key is selected any more (the subject reads ""), as the seeds describe.
        defer { hostKeys = certificates.keys }
        try certificates.primary.load(subject: subject)
    }

    /// `SSHCertEncoded`: the public key of the loaded host key as an OpenSSH `.pub` line, or "".
    public var sshCertEncoded: String {
        certificates.primary.key.map { SSHPublicKeyLine(key: $0.publicKey).text } ?? ""
    }

    /// Setting `SSHCertEncoded` loads the key from its text (OpenSSH or PEM, or base64 of it),
    /// as store type 7 with `SSHCertStorePassword`.
    public func setSSHCertEncoded(_ key: String) throws(SSHServerError) {
        certificates.primary.type = HostKeyStoreType.pemKeyBlob.rawValue
        certificates.primary.store = key
        try setSSHCertSubject("*")
    }

    /// `AltSSHCertCount`, `AltSSHCertStoreType[i]`, `AltSSHCertStore[i]`,
    /// `AltSSHCertStorePassword[i]` and `AltSSHCertSubject[i]` (setting the subject loads the
    /// key); nil for every other name.
    func alternateCertificateSetting(_ configuration: String) throws(SSHServerError) -> String? {
        let equals = configuration.firstIndex(of: "=")
        let key = (equals.map { String(configuration[..<$0]) } ?? configuration).trimmed
        let value = equals.map { String(configuration[configuration.index(after: $0)...]) }
        let lower = key.lowercased()
        guard lower.hasPrefix("altsshcert") else { return nil }
        if lower == "altsshcertcount" {
            guard let value else { return String(certificates.alternates.count) }
            guard let count = Int(value.trimmed), (0...HostKeyCertificates.maximumAlternates).contains(count) else {
                throw SSHServerError(code: SSHServerError.invalidSetting, "AltSSHCertCount: \"\(value)\" is not allowed; expected an integer from 0 to \(HostKeyCertificates.maximumAlternates)")
            }
            certificates.alternates = Array(certificates.alternates.prefix(count))
            while certificates.alternates.count < count { certificates.alternates.append(.init()) }
            hostKeys = certificates.keys
            return ""
        }
        guard let open = lower.firstIndex(of: "["), lower.hasSuffix("]"),
              let index = Int(lower[lower.index(after: open)..<lower.index(before: lower.endIndex)])
        else { throw SSHServerError(code: SSHServerError.invalidSetting, "\(key): an AltSSHCert setting needs an index, as in \(key)[0]") }
        guard certificates.alternates.indices.contains(index) else {
            throw SSHServerError(code: SSHServerError.invalidSetting, "\(key): index \(index) is not below AltSSHCertCount (\(certificates.alternates.count))")
        }
        switch (String(lower[..<open]), value) {
        case ("altsshcertstoretype", nil): return String(certificates.alternates[index].type)
        case ("altsshcertstoretype", let text?):
            guard let type = Int(text.trimmed) else {
                throw SSHServerError(code: SSHServerError.invalidSetting, "\(key): \"\(text)\" is not a store type")
            }
            certificates.alternates[index].type = type
        case ("altsshcertstore", nil): return certificates.alternates[index].store
        case ("altsshcertstore", let text?): certificates.alternates[index].store = text.trimmed
        case ("altsshcertstorepassword", nil): return certificates.alternates[index].password
        case ("altsshcertstorepassword", let text?): certificates.alternates[index].password = text
        case ("altsshcertsubject", nil): return certificates.alternates[index].subject
        case ("altsshcertsubject", let text?):
            defer { hostKeys = certificates.keys }
            try certificates.alternates[index].load(subject: text.trimmed)
        default:
            throw SSHServerError(code: SSHServerError.invalidSetting, "unknown setting \"\(key)\"")
        }
        return ""
    }
}
