"use client";

import { useMutation } from "@tanstack/react-query";
import { testTargetConnectionAction } from "@/app/(portal)/profiles/new/actions";

export function useTestTarget() {
  return useMutation({ mutationFn: testTargetConnectionAction });
}
