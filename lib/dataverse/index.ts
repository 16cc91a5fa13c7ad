export * from "./types.ts";
export * from "./errors.ts";
export { DataverseClient, type DataverseClientOptions } from "./client.ts";
export { StaticTokenProvider, MsalTokenProvider, type TokenProvider, type ClientCredentials } from "./auth.ts";
