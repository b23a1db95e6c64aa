{
  description = "cc-ci-bot: Gitea webhooks in, CI runs and agent pings out";

  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-25.11";

  outputs =
    { self, nixpkgs }:
    let
      systems = [
        "x86_64-linux"
        "aarch64-linux"
      ];
      forAllSystems = f: nixpkgs.lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: rec {
        cc-ci-bot = pkgs.callPackage ./deploy/nixos/package.nix { };
        default = cc-ci-bot;
      });

      overlays.default = final: prev: { cc-ci-bot = final.callPackage ./deploy/nixos/package.nix { }; };

      # imports = [ cc-ci-bot.nixosModules.default ]; services.cc-ci-bot = { enable = true; ... };
      nixosModules.default =
        { pkgs, lib, ... }:
        {
          # services.cc-ci-bot (the bot) and services.cc-ci-bot.worker (a runner host).
          imports = [
            ./deploy/nixos/module.nix
            ./deploy/nixos/worker.nix
          ];
          services.cc-ci-bot.package = lib.mkDefault self.packages.${pkgs.stdenv.hostPlatform.system}.cc-ci-bot;
        };
    };
}
