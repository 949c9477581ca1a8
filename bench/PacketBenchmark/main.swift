import SSHCore
print("bench")
