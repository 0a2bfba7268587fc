/** Shared by Dexie and the light probe, which must not import Dexie. */
export const DB_NAME = 'papiers';
