import "server-only";
// The token service for the portal and the API (the CLI imports token-store directly).
export * from "./token-store";
