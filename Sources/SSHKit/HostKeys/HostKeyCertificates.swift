import SSHCrypto

/// The host-key store settings of the class and the keys loaded from them (server digest §1.2
/// rows 27, 43–46; §4.1 `AltSSHCert*`; §5).
struct HostKeyCertificates {
    /// `AltSSHCertCount` is at most this.
    static let maximumAlternates = 16

    /// One store: `SSHCertStoreType`, `SSHCertStore`, `SSHCertStorePassword`, and the key loaded
    /// when `SSHCertSubject` was set.
    struct Store {
        var type = HostKeyStoreType.auto.rawValue
        var store = ""
        var password = ""
        var subject = ""
        var key: (any SSHPrivateKey)?

        /// Loads the key the settings name; on success the subject is kept, on failure it reads "".
        mutating func load(subject: String) throws(SSHServerError) {
            do {
                key = try HostKeyStore.load(type: type, store: store, password: password, subject: subject)
                self.subject = subject
            } catch {
                key = nil
                self.subject = ""
                throw error
            }
        }
    }

    var primary = Store()
    var alternates: [Store] = []

    /// The loaded keys, primary first.
    var keys: [any SSHPrivateKey] { ([primary] + alternates).compactMap(\.key) }
}
