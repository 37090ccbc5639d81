/** Builds dist/ (and the console into dist/console/) once before the suite: journeys and CLI tests run the real compiled binaries. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.MODELDOCK_SKIP_BUILD === '1') return;
  execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync('npx', ['vite', 'build', '--config', 'console/vite.config.ts'], { stdio: 'inherit' });
}
