# services.cc-ci-bot: the bot as a systemd service on NixOS, wired as
# deploy/systemd/cc-ci-bot.service (see that file for why each setting is what it is).
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.cc-ci-bot;
  yaml = pkgs.formats.yaml { };
  configFile = yaml.generate "cc-ci-bot.yaml" cfg.settings;
  # StateDirectory= takes a path under /var/lib; any other data directory is created by tmpfiles.
  stateDir = lib.removePrefix "/var/lib/" cfg.dataDir;
  underVarLib = lib.hasPrefix "/var/lib/" cfg.dataDir;
in
{
  options.services.cc-ci-bot = {
    enable = lib.mkEnableOption "cc-ci-bot, Gitea webhooks to CI runs and agent pings";

    package = lib.mkOption {
      type = lib.types.package;
      default = pkgs.callPackage ./package.nix { };
      defaultText = lib.literalExpression "pkgs.callPackage ./package.nix { }";
      description = "The cc-ci-bot package.";
    };

    settings = lib.mkOption {
      type = yaml.type;
      default = { };
      example = lib.literalExpression ''
        {
          gitea.url = "https://git.example.org"; # GITEA_TOKEN, WEBHOOK_SECRET: environmentFile
          server = { port = 8787; host = "127.0.0.1"; publicUrl = "https://ci.example.org"; };
          testme.repos = [ "recipe-maintainers/*" ];
          testme.runner.command = [ "/run/current-system/sw/bin/run-recipe-ci" ];
        }
      '';
      description = ''
        The bot's configuration (README, "Configuration"), rendered to the YAML file it reads.
        It ends up in the world-readable Nix store: put secrets in `environmentFile` and refer
        to them as ''${VAR}, or leave them to the environment (GITEA_TOKEN, WEBHOOK_SECRET).
        `dataDir` is set from the option of that name.
      '';
    };

    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/run/secrets/cc-ci-bot.env";
      description = ''
        A file of VAR=value lines read by systemd, outside the Nix store: GITEA_TOKEN,
        WEBHOOK_SECRET (comma-separated while rotating), OPERATOR_TOKEN.
      '';
    };

    user = lib.mkOption {
      type = lib.types.str;
      default = "cc-ci-bot";
      description = ''
        The user the bot runs as. It must be the user that owns the agents' tmux server:
        tmux lets only its owner reach the server's socket. The default creates a system user,
        which suits a machine where the bot runs no agents.
      '';
    };

    group = lib.mkOption {
      type = lib.types.str;
      default = "cc-ci-bot";
      description = "The group the bot runs as.";
    };

    dataDir = lib.mkOption {
      type = lib.types.str;
      default = "/var/lib/cc-ci-bot";
      description = "DATA_DIR: the store, git mirrors, run and job directories.";
    };

    readWritePaths = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [ "/srv/cc-ci" ];
      description = ''
        Paths writable besides dataDir (the system is read-only to the service): whatever the
        runner, the jobs and the loop sessions write.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    services.cc-ci-bot.settings.dataDir = lib.mkDefault cfg.dataDir;

    users.users = lib.mkIf (cfg.user == "cc-ci-bot") {
      cc-ci-bot = {
        isSystemUser = true;
        group = cfg.group;
        home = cfg.dataDir;
      };
    };
    users.groups = lib.mkIf (cfg.group == "cc-ci-bot") { cc-ci-bot = { }; };

    systemd.tmpfiles.rules = lib.optional (!underVarLib) "d ${cfg.dataDir} 0750 ${cfg.user} ${cfg.group} - -";

    systemd.services.cc-ci-bot = {
      description = "cc-ci-bot: Gitea webhooks to CI runs and agent pings";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [ "network-online.target" ];
      # systemd-notify for Type=notify; tmux and git of the system, the agents' own.
      path = [
        config.systemd.package
        pkgs.tmux
        pkgs.git
      ];
      environment.DATA_DIR = cfg.dataDir;
      # glibc gives large freed buffers back at once instead of keeping them (see the unit file).
      environment.MALLOC_MMAP_THRESHOLD_ = "131072";
      restartTriggers = [ configFile ];

      serviceConfig = {
        Type = "notify";
        NotifyAccess = "all";
        ExecStart = "${lib.getExe cfg.package} serve --config ${configFile}";
        Restart = "on-failure";
        RestartSec = 5;
        User = cfg.user;
        Group = cfg.group;
        StateDirectory = lib.mkIf underVarLib stateDir;
        StateDirectoryMode = "0750";
        EnvironmentFile = lib.mkIf (cfg.environmentFile != null) cfg.environmentFile;
        # Runs (and a tmux server the bot started) outlive a stop: the next start adopts them.
        KillMode = "process";
        TimeoutStopSec = 120;

        NoNewPrivileges = true;
        ProtectSystem = "strict";
        ReadWritePaths = [ cfg.dataDir ] ++ cfg.readWritePaths;
        # tmux's socket is in /tmp/tmux-<uid>/: a private /tmp would hide the agents' server.
        PrivateTmp = false;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        RestrictSUIDSGID = true;
        RestrictRealtime = true;
        LockPersonality = true;
        RestrictAddressFamilies = [
          "AF_UNIX"
          "AF_INET"
          "AF_INET6"
          "AF_NETLINK"
        ];
        UMask = "0027";
      };
    };
  };
}
