import SFTP
import Testing

@Suite struct SFTPStatusCodeTests {
    /// Version 3 clients know codes 0–8 only (draft-ietf-secsh-filexfer-02 §7).
    @Test func version3SeesOnlyItsCodes() {
        for code in SFTPStatusCode.allCases {
            #expect(code.forVersion(3).rawValue <= 8)
            #expect(code.forVersion(4) == code)
        }
        #expect(SFTPStatusCode.noSuchPath.forVersion(3) == .noSuchFile)
        #expect(SFTPStatusCode.fileAlreadyExists.forVersion(3) == .failure)
        #expect(SFTPStatusCode.eof.forVersion(3) == .eof)
    }
}
