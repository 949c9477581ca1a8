import SSHCrypto
import SSHWire
