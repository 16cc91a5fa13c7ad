// Typed Dataverse failures. The sync engine branches on them with `instanceof`; every message
// says what to do about it, because it ends up in the portal and the failure log.

export class DataverseError extends Error {
  constructor(
    message: string,
    /** Dataverse error code ("0x80072491"), or a name of ours for non-service failures. */
    readonly code: string,
    /** HTTP status, 0 when no response arrived. */
    readonly status: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "DataverseError";
  }
}

export class ChangeTrackingNotEnabledError extends DataverseError {
  constructor(readonly table: string, options?: { cause?: unknown }) {
    super(
      `Table '${table}' is not enabled for change tracking, so it cannot be exported. Enable change tracking for table '${table}' in the Power Apps maker portal (Table properties → Advanced options → Track changes), or remove it from the export profile.`,
      "0x80072491", 400, options,
    );
    this.name = "ChangeTrackingNotEnabledError";
  }
}

export class DeltaTokenExpiredError extends DataverseError {
  constructor(readonly table: string, options?: { cause?: unknown }) {
    super(
      `The saved change-tracking token for table '${table}' has expired (Dataverse keeps change data about 7 days). Drop the token and re-run the initial export of '${table}'.`,
      "0x80044352", 400, options,
    );
    this.name = "DeltaTokenExpiredError";
  }
}

export class AuthenticationError extends DataverseError {
  constructor(message: string, status = 401, code = "AuthenticationFailed", options?: { cause?: unknown }) {
    super(message, code, status, options);
    this.name = "AuthenticationError";
  }
}

export class NotFoundError extends DataverseError {
  constructor(message: string, code = "NotFound", options?: { cause?: unknown }) {
    super(message, code, 404, options);
    this.name = "NotFoundError";
  }
}

export class ThrottledError extends DataverseError {
  constructor(message: string, readonly waitedSeconds: number, options?: { cause?: unknown }) {
    super(message, "0x80072322", 429, options);
    this.name = "ThrottledError";
  }
}

export class DataverseUnavailableError extends DataverseError {
  constructor(message: string, status = 0, code = "Unavailable", options?: { cause?: unknown }) {
    super(message, code, status, options);
    this.name = "DataverseUnavailableError";
  }
}

export class InvalidUrlError extends DataverseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, "InvalidUrl", 0, options);
    this.name = "InvalidUrlError";
  }
}

/** Codes the service uses for these conditions. */
export const CODES = {
  notTracked: "0x80072491",
  tokenExpired: "0x80044352",
  throttled: ["0x80072322", "0x80072321", "0x80072326"],
  notFound: ["0x80040217", "0x8006088a"],
} as const;
