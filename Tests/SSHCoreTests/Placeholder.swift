import Testing

@Suite struct SSHCoreTestsPlaceholder {}
