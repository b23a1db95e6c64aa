# The cc-ci-bot npm package, built from this repository: `npm ci`, `npm run build` (dist/),
# dev dependencies pruned, better-sqlite3's native module compiled against this Node.
{
  lib,
  buildNpmPackage,
  nodejs,
  python3,
  makeWrapper,
  tmux,
  git,
}:

buildNpmPackage {
  pname = "cc-ci-bot";
  version = (lib.importJSON ../../package.json).version;

  src = lib.fileset.toSource {
    root = ../..;
    fileset = lib.fileset.unions [
      ../../package.json
      ../../package-lock.json
      ../../tsconfig.json
      ../../tsconfig.build.json
      ../../bin
      ../../src
      ../../deploy
    ];
  };

  inherit nodejs;

  # The hash of the npm dependencies in package-lock.json. After a change of the lock file,
  # leave lib.fakeHash here, run `nix build .#cc-ci-bot`, and copy the hash the error reports
  # as "got:" (or run `prefetch-npm-deps package-lock.json`).
  npmDepsHash = lib.fakeHash;

  # dist/ is built once by the build phase (npm run build); listing the package's files must
  # not run the prepack script again.
  npmPackFlags = [ "--ignore-scripts" ];

  # better-sqlite3 downloads no prebuilt binary in the sandbox: node-gyp compiles it.
  nativeBuildInputs = [
    python3
    makeWrapper
  ];

  # The bot drives tmux and git. Appended to PATH, so the system's tmux, the one that runs the
  # agents' server, is found first (a tmux client must speak its server's protocol version).
  postInstall = ''
    wrapProgram $out/bin/cc-ci-bot --suffix PATH : ${
      lib.makeBinPath [
        tmux
        git
      ]
    }
  '';

  meta = {
    description = "Gitea webhooks in, CI runs and agent pings out";
    license = lib.licenses.mit;
    mainProgram = "cc-ci-bot";
    platforms = lib.platforms.linux;
  };
}
