// The epoll event loop (DESIGN §5). It knows nothing of SSH.
