export const workerKeys = {
  all: ["workers"] as const,
  list: () => [...workerKeys.all, "list"] as const,
};
