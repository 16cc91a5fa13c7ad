"use client";

import { useMutation } from "@tanstack/react-query";
import { validateProfileAction } from "@/app/(portal)/profiles/new/actions";

/** Runs every check of a profile that is not saved yet; writes nothing, so nothing to invalidate. */
export function useValidateProfile() {
  return useMutation({ mutationFn: validateProfileAction });
}
