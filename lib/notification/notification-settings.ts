/**
 * The site's client notification settings. The face that starts the notification server or a
 * client operation reads them from site control and hands them in.
 */
export interface ClientNotificationSettings {
  /** The notification server's own port, the reference's 10123; agents fall back to the console port. */
  port: number;
  /** How often agents send a keep-alive over the channel (the reference's 15 minutes). */
  keepAliveSeconds: number;
  /** How long a client operation stays valid (clients coming online within it still get it). */
  operationValidityMinutes: number;
}
