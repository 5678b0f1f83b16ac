#!/usr/bin/env node
// Entry point of the bgpdns daemons: loads the TypeScript sources through tsx.
// Images ship an esbuild bundle instead (images/bgpdns/Dockerfile).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
