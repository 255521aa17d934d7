import type { RouteDirectory } from './ports.ts';

/** The routes a project may replay to: those without a project list, and those that name it. */
export function usableRoutes(routes: RouteDirectory, projectId: string) {
  return routes.all().filter((route) => !route.projects || route.projects.includes(projectId));
}

/** `GET /api/v1/routes`: what the caller's project may replay to. */
export function listRoutes(routes: RouteDirectory, projectId: string) {
  return { items: usableRoutes(routes, projectId).map((route) => ({ name: route.name, queue_url: route.queueUrl })) };
}
