// What the media pages read from the API (GET /v1/media, /v1/media/{id}).
export interface Media {
  id: string;
  kind: 'video' | 'audio' | 'image';
  content_type: string;
  bytes: number;
  sha256: string;
  title: string;
  tags: string[];
  end_user: string | null;
  created_at: string;
  expires_at: string | null;
  duration_ms: number | null;
  width: number | null;
  height: number | null;
  codecs: string[];
  web_rendition?: { state: string; progress?: number; content_type?: string } | null;
  poster?: { state: string } | null;
  transcript?: { state: string } | null;
}

export interface MediaPage {
  media: Media[];
  next_cursor: string | null;
}

export function mediaPath(accountId: string, mediaId: string): string {
  return `/accounts/${encodeURIComponent(accountId)}/media/${encodeURIComponent(mediaId)}`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
