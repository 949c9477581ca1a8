import Testing

@Suite struct ReactorPlaceholderTests {}
