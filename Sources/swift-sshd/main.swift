import ArgumentParser
import SSHDaemon

SwiftSSHD.main()
