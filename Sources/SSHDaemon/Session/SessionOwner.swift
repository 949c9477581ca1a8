/// Whom a session serves and how its processes run (issue 5 item 5): a users-file account runs
/// as `VirtualUser`, confined to its root; a system account runs as itself.
struct SessionOwner {
    /// The login name (USER, LOGNAME).
    let name: String
    /// HOME and the working directory: the account's root for users-file accounts.
    let home: String
    /// The login shell; exec runs `shell -c command`.
    let shell: String
    /// The identity the child takes; nil when it keeps the daemon's (the daemon runs as the user).
    let identity: ProcessIdentity?
    /// Landlock confinement for users-file accounts' shells and commands.
    let confinement: FileSystemConfinement?
    /// What the login may use: its options (users file) within AllowShell, AllowExec, AllowSFTP.
    let permissions: Set<AccountOption>
    /// The root SFTP is confined to, and the directory a client starts in (a path inside it).
    let sftpRoot: String
    var sftpHome = "/"
    /// The options of the authorized key the login used (none for passwords).
    var keyOptions = AuthorizedKeyOptions()
    /// Variables PAM's modules set (`NAME=value`), below the ones the daemon sets.
    var extraEnvironment: [String] = []

    /// Whether the session's processes run as uid 0 (only a system account `root` does).
    var runsAsSuperuser: Bool { identity?.uid == 0 }
}
