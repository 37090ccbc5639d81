/**
 * The guard every local task run goes through: `node -e RUN_GUARD -- /bin/sh -c <command>`.
 * It runs the command in its own process group and takes the whole group down with it:
 * when the platform dies (the guard's stdin closes), on SIGTERM (forwarded to the group,
 * then SIGKILL after MODELDOCK_GUARD_GRACE_MS), and when the command exits (so nothing it
 * started in the background lingers). It exits with the command's code, or 128 + signal.
 */
export const RUN_GUARD = String.raw`
const { spawn } = require('node:child_process');
const os = require('node:os');
const [cmd, ...args] = process.argv.slice(1);
const grace = Number(process.env.MODELDOCK_GUARD_GRACE_MS || 10000);
delete process.env.MODELDOCK_GUARD_GRACE_MS;
const child = spawn(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
const killGroup = (sig) => { try { process.kill(-child.pid, sig); } catch {} };
process.stdin.on('data', () => {});
process.stdin.on('close', () => { killGroup('SIGKILL'); process.exit(137); });
process.on('SIGTERM', () => { killGroup('SIGTERM'); setTimeout(() => killGroup('SIGKILL'), grace).unref(); });
child.on('error', (e) => { process.stderr.write(String(e.message) + '\n'); process.exit(127); });
child.on('exit', (code, signal) => {
  killGroup('SIGKILL');
  process.exit(code ?? 128 + (os.constants.signals[signal] || 9));
});
`;
