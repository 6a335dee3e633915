// Preloaded (node --import) into each process npm start supervises: when the supervisor is gone, even
// killed with SIGKILL, its end of our stdin closes, and we shut down as on SIGTERM, so nothing is orphaned.
process.stdin.on("end", () => process.kill(process.pid, "SIGTERM")).resume();
