/** The forges the emulator can play: what each sends and answers differs in places (flavour-fields.ts). */
export type Flavour = "gitea-1.15" | "gitea-modern" | "forgejo";
