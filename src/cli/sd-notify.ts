import { execFile } from "node:child_process";

/**
 * Tells systemd (Type=notify) how the service is doing, when it runs under systemd: NOTIFY_SOCKET
 * is set only then. Node has no AF_UNIX datagram sockets and we add no native module for one, so
 * this runs systemd-notify (an argv, no shell). Since systemd 246 systemd-notify waits for the
 * manager to take the message (sd_notify_barrier), so a child sending it and exiting is
 * attributed to the unit; the unit sets NotifyAccess=all because the sender is not the main pid.
 */
export function notifySystemd(fields: Record<string, string>, onError: (err: Error) => void): Promise<void> {
  if (!process.env.NOTIFY_SOCKET) return Promise.resolve();
  const args = Object.entries(fields).map(([k, v]) => `${k}=${v.replace(/\n/g, " ")}`);
  return new Promise((resolve) => {
    execFile("systemd-notify", args, { timeout: 10_000 }, (err) => {
      if (err) onError(err);
      resolve();
    });
  });
}
