import ArgumentParser
import Reactor
import SSHDaemon

// The signals the daemon takes through its signalfd are blocked before any thread exists, so that
// every thread inherits the mask (DESIGN §5).
try Signals.blockInThisThread(Signals.serverSignals)
SwiftSSHD.main()
