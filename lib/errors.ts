// Domain errors: expected failures whose message is safe to show to the user.
// Anything else is unexpected: it is logged and shown as a generic message.

export class AppError extends Error {
  readonly status: number = 400;
  readonly code: string = "BadRequest";
}

export class ValidationError extends AppError {
  override readonly status = 400;
  override readonly code = "ValidationFailed";
  constructor(message: string, readonly fieldErrors: Record<string, string> = {}) {
    super(message);
    this.name = "ValidationError";
  }
}

export class UnauthorizedError extends AppError {
  override readonly status = 401;
  override readonly code = "Unauthorized";
  constructor(message = "Sign in to continue.") {
    super(message);
    this.name = "UnauthorizedError";
  }
}

export class ForbiddenError extends AppError {
  override readonly status = 403;
  override readonly code = "Forbidden";
  constructor(message = "This needs the admin role.") {
    super(message);
    this.name = "ForbiddenError";
  }
}

export class NotFoundError extends AppError {
  override readonly status = 404;
  override readonly code = "NotFound";
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

export class ConflictError extends AppError {
  override readonly status = 409;
  override readonly code = "Conflict";
  constructor(message: string, readonly field?: string) {
    super(message);
    this.name = "ConflictError";
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly status = 413;
  override readonly code = "PayloadTooLarge";
  constructor(limitBytes: number) {
    super(`The request body is larger than ${Math.round(limitBytes / 1024)} KB.`);
    this.name = "PayloadTooLargeError";
  }
}

export class TooManyRequestsError extends AppError {
  override readonly status = 429;
  override readonly code = "TooManyRequests";
  constructor(message: string, readonly retryAfterSeconds: number) {
    super(message);
    this.name = "TooManyRequestsError";
  }
}

export const GENERIC_ERROR_MESSAGE = "Something went wrong on our side. It has been logged; please try again.";

/** Logs an unexpected error once, with context, and returns the message safe for a browser. */
export function publicMessage(err: unknown, context: string): string {
  if (err instanceof AppError) return err.message;
  console.error(`[${context}]`, err);
  return GENERIC_ERROR_MESSAGE;
}
