'use strict';
// Local osls/Serverless plugin: build the Lambda bundle from the wheel before the
// framework packages, so `osls package` and `osls deploy` always ship a fresh bundle
// whose wheels match provider.runtime and provider.architecture (see
// infra/lambda/build.sh). The framework itself zips nothing: serverless.yml points
// package.artifact at the zip this writes.
const { spawnSync } = require('node:child_process');
const path = require('node:path');

class WheelArtifact {
  constructor(serverless) {
    this.serverless = serverless;
    this.hooks = {
      'before:package:createDeploymentArtifacts': () => this.build(),
      'before:deploy:function:packageFunction': () => this.build(),
    };
  }

  fail(message) {
    throw new this.serverless.classes.Error(`wheel-artifact: ${message}`);
  }

  build() {
    const { provider, package: pkg } = this.serverless.service;
    const runtime = /^python(3\.\d+)$/.exec(provider.runtime || '');
    if (!runtime) this.fail(`provider.runtime must be pythonX.Y, not ${provider.runtime}`);
    if (!pkg || !pkg.artifact) this.fail('package.artifact must name the zip to build');
    const serviceDir = this.serverless.serviceDir;
    const result = spawnSync('bash', [path.join(serviceDir, 'infra/lambda/build.sh'), pkg.artifact], {
      cwd: serviceDir,
      stdio: 'inherit',
      env: {
        ...process.env,
        LAMBDA_PYTHON: runtime[1],
        LAMBDA_ARCH: provider.architecture || 'x86_64',
      },
    });
    if (result.error) this.fail(`could not run infra/lambda/build.sh: ${result.error.message}`);
    if (result.status !== 0) this.fail(`infra/lambda/build.sh exited with ${result.status}`);
  }
}

module.exports = WheelArtifact;
