import Testing

@Suite struct InteropTestsPlaceholder {}
