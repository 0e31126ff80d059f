/** Team roles (`team:slug`) answered by GitHub: `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`. */
import { z } from 'zod';
import type { TeamMembership } from '../workorders/index.ts';
import { httpStatusOf, type OctokitSlice } from './octokit-slice.ts';

const membershipSchema = z.object({ state: z.string() });

/** Active members only (a pending invitation holds no role); 404 means not a member. Answers are kept per call site. */
export function githubTeamMembership(github: OctokitSlice): TeamMembership {
  const cache = new Map<string, Promise<boolean>>();
  const ask = async (org: string, teamSlug: string, login: string): Promise<boolean> => {
    try {
      const { data } = await github.rest.teams.getMembershipForUserInOrg({ org, team_slug: teamSlug, username: login });
      return membershipSchema.parse(data).state === 'active';
    } catch (error) {
      if (httpStatusOf(error) === 404) return false;
      throw error;
    }
  };
  return {
    isMember(org, teamSlug, login) {
      const key = `${org}\n${teamSlug}\n${login.toLowerCase()}`;
      let answer = cache.get(key);
      if (answer === undefined) {
        answer = ask(org, teamSlug, login);
        cache.set(key, answer);
      }
      return answer;
    },
  };
}
