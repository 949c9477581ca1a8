import SSHCore
import SSHCrypto
import Testing
@testable import SSHKit

@Suite struct SSHServerSettingsTests {
    /// The documented defaults (server digest §1.2, §4), read through `config("Name")`.
    @Test(arguments: [
        ("LocalPort", "22"), ("ConnectionBacklog", "5"), ("UseIPv6", "0"), ("MaxConnections", "1000"),
        ("AllowedClients", "*"), ("BlockedClients", ""), ("TcpNoDelay", "False"), ("InBufferSize", ""),
        ("SelectWaitMillis", "20"), ("MaxReadTime", "50"), ("DefaultTimeout", "60"), ("DefaultIdleTimeout", "0"),
        ("SSHKeepAliveInterval", "0"), ("SSHKeepAliveCountMax", "5"), ("SSHVersionPattern", "*SSH-1.99-*,*SSH-2.0-*"),
        ("KeyRenegotiationThreshold", "1073741824"), ("UseStrictKeyExchange", "1"),
        ("DefaultAuthMethods", "password,publickey"), ("MaxAuthAttempts", "6"), ("LogLevel", "1"),
        ("MaskSensitive", "True"), ("FireAuthRequestAfterSig", "False"), ("CodePage", "65001"),
        ("ServerSSHVersionString", TransportConfiguration.defaultVersionString), ("LoginGraceTime", "120"),
    ])
    func documentedDefault(name: String, expected: String) throws {
        var settings = SSHServerSettings()
        #expect(try settings.config(name) == expected)
    }

    @Test func defaultAlgorithmListsAreOursAndValid() throws {
        var settings = SSHServerSettings()
        #expect(try settings.config("SSHEncryptionAlgorithms") == AlgorithmPreferences.secureDefaults.ciphers.joined(separator: ","))
        let preferences = try settings.algorithmPreferences()
        #expect(preferences == AlgorithmPreferences.secureDefaults)
    }

    /// Every row: its current value written back is accepted and reads back the same.
    @Test func everyRowRoundTrips() throws {
        var settings = SSHServerSettings()
        for entry in SSHServerSettingTable.entries {
            let value = try settings.config(entry.name)
            try settings.config("\(entry.name)=\(value)")
            #expect(try settings.config(entry.name) == value, "\(entry.name)")
        }
    }

    @Test(arguments: [
        ("LocalPort=2222", "LocalPort", "2222"),
        ("localport = 0", "LOCALPORT", "0"),
        ("TcpNoDelay=yes", "TcpNoDelay", "True"),
        ("TcpNoDelay=0", "TcpNoDelay", "False"),
        ("KeyRenegotiationThreshold=500 MB", "KeyRenegotiationThreshold", "524288000"),
        ("KeyRenegotiationThreshold=524288000", "KeyRenegotiationThreshold", "524288000"),
        ("KeyRenegotiationThreshold=1G", "KeyRenegotiationThreshold", "1073741824"),
        ("SSHEncryptionAlgorithms=aes256-ctr, aes128-gcm@openssh.com", "SSHEncryptionAlgorithms", "aes256-ctr,aes128-gcm@openssh.com"),
        ("DefaultAuthMethods=publickey,keyboard-interactive", "DefaultAuthMethods", "publickey,keyboard-interactive"),
        ("UseStrictKeyExchange=3", "UseStrictKeyExchange", "3"),
        ("InBufferSize=65536", "InBufferSize", "65536"),
        ("InBufferSize=", "InBufferSize", ""),
        ("MaxConnections=0x10", "MaxConnections", "16"),
        ("UseIOCP=True", "UseIOCP", "True"),
    ])
    func setAndRead(assignment: String, name: String, expected: String) throws {
        var settings = SSHServerSettings()
        #expect(try settings.config(assignment) == "")
        #expect(try settings.config(name) == expected)
    }

    /// Bad values are refused with the allowed values named, and leave the setting unchanged.
    @Test(arguments: [
        ("LocalPort=65536", "an integer from 0 to 65535"),
        ("LocalPort=http", "an integer from 0 to 65535"),
        ("UseIPv6=3", "an integer from 0 to 2"),
        ("MaxConnections=100001", "an integer from 1 to 100000"),
        ("TcpNoDelay=maybe", "True, False"),
        ("SSHEncryptionAlgorithms=aes128-ctr,rot13", "a comma list of:"),
        ("SSHEncryptionAlgorithms=", "a comma list of:"),
        ("SSHKeyExchangeAlgorithms=gss-group14-sha256-toWM5Slw5Ew8Mqkay+al2g==", "a comma list of:"),
        ("DefaultAuthMethods=password,hostbased", "keyboard-interactive"),
        ("KeyRenegotiationThreshold=12", "a byte count of at least 16384"),
        ("KeyRenegotiationThreshold=99999999999 GB", "a byte count"),
        ("UseStrictKeyExchange=4", "0, 1, 2 or 3"),
        ("ServerSSHVersionString=OpenSSH_9.9", "starting with SSH-2.0-"),
        ("CodePage=1252", "65001"),
        // zlib is not implemented yet: naming it is an error, not a silent fallback to none.
        ("SSHCompressionAlgorithms=none,zlib", "a comma list of: none"),
        ("SSHPubKeyAuthSigAlgorithms=ssh-dss", "a comma list of:"),
        ("SSHKeepAliveCountMax=0", "an integer from 1 to 1000"),
    ])
    func badValueIsRefused(assignment: String, allowedText: String) throws {
        var settings = SSHServerSettings()
        let before = settings
        let error = #expect(throws: SSHServerError.self) { try settings.config(assignment) }
        #expect(error?.code == SSHServerError.invalidSetting)
        #expect(error?.diagnostics.contains(allowedText) == true, "\(String(describing: error))")
        #expect(settings == before)
    }

    @Test func unknownSettingIsRefused() {
        var settings = SSHServerSettings()
        let error = #expect(throws: SSHServerError.self) { try settings.config("NoSuchSetting=1") }
        #expect(error?.code == SSHServerError.invalidSetting)
        #expect(error?.diagnostics.contains("NoSuchSetting") == true)
    }

    @Test(arguments: [
        ("LocalPort=2200", SSHServerError.localPortLocked),
        ("LocalHost=127.0.0.1", SSHServerError.localHostLocked),
        ("MaxConnections=10", SSHServerError.maxConnectionsLocked),
    ])
    func lockedWhileListening(assignment: String, code: Int) throws {
        var settings = SSHServerSettings()
        let error = #expect(throws: SSHServerError.self) { try settings.config(assignment, isListening: true) }
        #expect(error?.code == code)
        try settings.config(assignment, isListening: false)
        try settings.config("TcpNoDelay=true", isListening: true)
    }

    @Test func everyAlgorithmTheRegistryHasCanBeSelected() throws {
        var settings = SSHServerSettings()
        try settings.config("SSHKeyExchangeAlgorithms=\(AlgorithmRegistry.allKeyExchangeNames.joined(separator: ","))")
        try settings.config("SSHEncryptionAlgorithms=\(AlgorithmRegistry.allCipherNames.joined(separator: ","))")
        try settings.config("SSHMacAlgorithms=\(AlgorithmRegistry.allMACNames.joined(separator: ","))")
        try settings.config("SSHPublicKeyAlgorithms=\(AlgorithmRegistry.allSignatureNames.joined(separator: ","))")
        #expect(throws: Never.self) { try settings.algorithmPreferences() }
    }

    @Test func tableNamesAreUniqueIgnoringCase() {
        let names = SSHServerSettingTable.entries.map { $0.name.lowercased() }
        #expect(Set(names).count == names.count)
    }
}
