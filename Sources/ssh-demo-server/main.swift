import SSHCore
print("ssh-demo-server")
