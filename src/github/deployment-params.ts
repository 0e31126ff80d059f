/** The bodies of GitHub's create-deployment and create-deployment-status requests, the same from every process. */
import type { OctokitSlice } from './octokit-slice.ts';

type CreateDeployment = Parameters<OctokitSlice['rest']['repos']['createDeployment']>[0];
type CreateDeploymentStatus = Parameters<OctokitSlice['rest']['repos']['createDeploymentStatus']>[0];

/** What a Deployment records. */
export interface DeploymentFacts {
  owner: string;
  repo: string;
  /** The order's commit. */
  sha: string;
  app: string;
  environment: string;
  version: string;
  /** From the repo config (`production: true`), else whether the environment is called production. */
  production: boolean;
  workOrderId: number;
  /** Known once the release started. */
  releaseId?: string;
}

export function deploymentParams(facts: DeploymentFacts): CreateDeployment {
  return {
    owner: facts.owner,
    repo: facts.repo,
    ref: facts.sha,
    environment: facts.environment,
    production_environment: facts.production,
    transient_environment: false,
    auto_merge: false,
    required_contexts: [],
    description: `${facts.app} ${facts.version} (work order ${facts.workOrderId})`.slice(0, 140),
    payload: {
      workOrderId: facts.workOrderId,
      version: facts.version,
      ...(facts.releaseId === undefined ? {} : { releaseId: facts.releaseId }),
    },
  };
}

export function deploymentStatusParams(
  target: { owner: string; repo: string; deploymentId: number; environment: string; logUrl: string },
  state: CreateDeploymentStatus['state'],
  description: string,
): CreateDeploymentStatus {
  return {
    owner: target.owner,
    repo: target.repo,
    deployment_id: target.deploymentId,
    state,
    log_url: target.logUrl,
    description: description.slice(0, 140),
    environment: target.environment,
  };
}
