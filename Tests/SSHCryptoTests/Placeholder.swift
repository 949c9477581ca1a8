import Testing

@Suite struct SSHCryptoTestsPlaceholder {}
