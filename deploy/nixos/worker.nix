# services.cc-ci-bot.worker: a runner host (`cc-ci-bot worker`), wired as
# deploy/systemd/cc-ci-bot-worker.service (see that file and docs/runners.md).
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.cc-ci-bot.worker;
  yaml = pkgs.formats.yaml { };
  configFile = yaml.generate "cc-ci-bot-worker.yaml" (cfg.settings // { dataDir = cfg.dataDir; });
in
{
  options.services.cc-ci-bot.worker = {
    enable = lib.mkEnableOption "a cc-ci-bot runner host, taking the bot's runs from Redis";

    settings = lib.mkOption {
      type = yaml.type;
      default = { };
      example = lib.literalExpression ''
        {
          command = [ "/run/current-system/sw/bin/run-recipe-ci" ];
          concurrency = 2;
          pools = [ "default" ];
        }
      '';
      description = ''
        The worker's configuration (docs/runners.md). The Redis URL carries its password: give it
        as REDIS_URL in `environmentFile`, not here (the Nix store is world-readable).
      '';
    };

    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/run/secrets/cc-ci-bot-worker.env";
      description = "A file of VAR=value lines outside the Nix store: REDIS_URL.";
    };

    user = lib.mkOption {
      type = lib.types.str;
      default = "cc-ci-runner";
      description = "The user the worker and its runs run as.";
    };

    group = lib.mkOption {
      type = lib.types.str;
      default = "cc-ci-runner";
      description = "The group the worker runs as.";
    };

    dataDir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/cc-ci-bot-worker";
      description = "The run directories (each run's CCCI_RUN_DIR).";
    };

    readWritePaths = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      description = "Paths writable besides dataDir: whatever the runner writes.";
    };
  };

  config = lib.mkIf cfg.enable {
    users.users = lib.mkIf (cfg.user == "cc-ci-runner") {
      cc-ci-runner = {
        isSystemUser = true;
        group = cfg.group;
        home = cfg.dataDir;
      };
    };
    users.groups = lib.mkIf (cfg.group == "cc-ci-runner") { cc-ci-runner = { }; };
    systemd.tmpfiles.rules = [ "d ${cfg.dataDir} 0750 ${cfg.user} ${cfg.group} - -" ];

    systemd.services.cc-ci-bot-worker = {
      description = "cc-ci-bot worker: runs recipes handed over through Redis";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      restartTriggers = [ configFile ];
      serviceConfig = {
        ExecStart = "${lib.getExe config.services.cc-ci-bot.package} worker --config ${configFile}";
        Restart = "on-failure";
        RestartSec = 5;
        User = cfg.user;
        Group = cfg.group;
        EnvironmentFile = lib.mkIf (cfg.environmentFile != null) cfg.environmentFile;
        # SIGTERM drains (drainSeconds, 600 by default), then the group is stopped.
        KillMode = "mixed";
        TimeoutStopSec = 660;
        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ReadWritePaths = [ cfg.dataDir ] ++ cfg.readWritePaths;
        PrivateTmp = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        UMask = "0027";
      };
    };
  };
}
