"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { addOrganizationAction, testOrganizationConnectionAction } from "@/app/(portal)/organizations/actions";
import { acceptPrivacyTermsAction } from "@/app/(portal)/organizations/[id]/privacy/actions";
import { updateOrganizationAction } from "@/app/(portal)/organizations/[id]/edit/actions";
import { organizationKeys } from "./query-keys";

export function useAddOrganization() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: addOrganizationAction,
    onSuccess: (result) => {
      if (result.ok) void client.invalidateQueries({ queryKey: organizationKeys.list() });
    },
  });
}

export function useAcceptPrivacyTerms() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: acceptPrivacyTermsAction,
    onSuccess: (result) => {
      if (result.ok) void client.invalidateQueries({ queryKey: organizationKeys.list() });
    },
  });
}

// Changes nothing the lists show (only the stored Dataverse org id): no invalidation.
export function useTestOrganizationConnection() {
  return useMutation({ mutationFn: testOrganizationConnectionAction });
}

export function useUpdateOrganization() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: updateOrganizationAction,
    onSuccess: (result) => {
      if (result.ok) void client.invalidateQueries({ queryKey: organizationKeys.list() });
    },
  });
}
