// The names `procd up`, `down` and `ls --project` look for, in this order, when no FILE is given.
export const DEFAULT_FILES = ['procd.yaml', 'procd.yml', 'procd.json'] as const;
