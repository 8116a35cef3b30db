#!/usr/bin/env node
// The decoy command of @decoy-mock/cli: it runs the binary that npm
// installed for this platform, as the optional dependency
// @decoy-mock/cli-<platform>-<arch>, with the same arguments, standard
// streams and exit code. Nothing is downloaded, here or at install time.
'use strict';

const { spawn } = require('child_process');
const path = require('path');

function fail(message) {
  process.stderr.write('decoy: ' + message + '\n');
  process.exit(1);
}

function binaryPath() {
  if (process.env.DECOY_BINARY_PATH) {
    return process.env.DECOY_BINARY_PATH;
  }
  const own = require(path.join(__dirname, '..', 'package.json'));
  const shipped = Object.keys(own.optionalDependencies || {});
  const name = '@decoy-mock/cli-' + process.platform + '-' + process.arch;
  if (!shipped.includes(name)) {
    fail('no decoy binary is published for ' + process.platform + '/' + process.arch +
      ' (published: ' + shipped.map((p) => p.replace('@decoy-mock/cli-', '')).join(', ') + ');' +
      ' build one with: go install github.com/decoy-mock/decoy/cmd/decoy@latest,' +
      ' then set DECOY_BINARY_PATH to it');
  }
  const exe = process.platform === 'win32' ? 'decoy.exe' : 'decoy';
  try {
    return require.resolve(name + '/bin/' + exe);
  } catch (e) {
    fail('the package ' + name + ', which holds the decoy binary for this platform, is not installed.' +
      ' npm installs it with ' + own.name + ' as an optional dependency: reinstall without' +
      ' --omit=optional (or --no-optional), or set DECOY_BINARY_PATH to a decoy binary');
  }
}

const child = spawn(binaryPath(), process.argv.slice(2), { stdio: 'inherit', windowsHide: true });
// A signal sent to this process (a CI runner stopping npx, kill PID) goes
// on to decoy, which then drains its requests and exits on its own.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    try {
      child.kill(signal);
    } catch (e) {
      // decoy is gone already; its exit ends this process.
    }
  });
}
child.on('error', (err) => fail('cannot run ' + child.spawnfile + ': ' + err.message));
child.on('exit', (code, signal) => {
  if (signal) {
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code === null ? 1 : code);
});
