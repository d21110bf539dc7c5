import type { Principal } from '../auth/roles';

/** Who is acting, and from where: what every audited change needs. */
export interface Actor {
  principal: Principal;
  address: string;
  sessionId?: string;
}
