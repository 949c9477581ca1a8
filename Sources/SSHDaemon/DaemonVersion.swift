/// The daemon's version, as `swift-sshd version` prints it and the SSH identification carries.
public enum DaemonVersion {
    public static let text = "0.1.0"
}
