// The compliance sections of an account, routed in the browser at
// /accounts/{id}/{section}[/{item}]: privacy requests, consents, the
// disclosure ledger with the sub-processors, webhooks, the audit chain and
// the staff access log. ComplianceLinks lists them on the account page.
import '../compliance.css';
import { Link } from '../router';
import { accountPath } from '../routes';
import { AccessLogPage } from './compliance_access_log';
import { AuditPage } from './compliance_audit';
import { ConsentsPage } from './compliance_consents';
import { DisclosuresPage } from './compliance_disclosures';
import { PrivacyRequestPage } from './compliance_request';
import { PrivacyRequestsPage } from './compliance_requests';
import { WebhooksPage } from './compliance_webhooks';
import { NotFoundPage } from './not_found';

export const COMPLIANCE_SECTIONS: Array<[string, string]> = [
  ['privacy-requests', 'Privacy requests'],
  ['consents', 'Consents'],
  ['disclosures', 'Disclosures and sub-processors'],
  ['webhooks', 'Webhooks'],
  ['audit', 'Audit chain'],
  ['access-log', 'Staff access log'],
];

export function sectionPath(id: string, section: string, item?: string): string {
  return `${accountPath(id)}/${section}${item ? '/' + encodeURIComponent(item) : ''}`;
}

// The page of one compliance section; null when `section` is not one
// (another area of the portal may own it).
export function complianceSection(id: string, section: string, item?: string) {
  switch (section) {
    case 'privacy-requests':
      return item ? <PrivacyRequestPage accountId={id} requestId={item} /> : <PrivacyRequestsPage accountId={id} />;
    case 'consents':
      return item ? <NotFoundPage /> : <ConsentsPage accountId={id} />;
    case 'disclosures':
      return item ? <NotFoundPage /> : <DisclosuresPage accountId={id} />;
    case 'webhooks':
      return <WebhooksPage accountId={id} webhookId={item} />;
    case 'audit':
      return item ? <NotFoundPage /> : <AuditPage accountId={id} />;
    case 'access-log':
      return item ? <NotFoundPage /> : <AccessLogPage accountId={id} />;
    default:
      return null;
  }
}

// The links to the sections, for the account page.
export function ComplianceLinks({ id }: { id: string }) {
  return (
    <nav aria-labelledby="compliance-heading" class="sections">
      <h2 id="compliance-heading">Privacy and compliance</h2>
      <ul>
        {COMPLIANCE_SECTIONS.map(([section, name]) => (
          <li key={section}>
            <Link href={sectionPath(id, section)}>{name}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

// "Back to the account" and the section's siblings, above each section.
export function SectionTrail({ id, current }: { id: string; current?: string }) {
  return (
    <nav aria-label="Breadcrumb" class="trail">
      <Link href={accountPath(id)}>Account</Link>
      {current && (
        <>
          {' › '}
          <Link href={sectionPath(id, current)}>{COMPLIANCE_SECTIONS.find(([s]) => s === current)?.[1] ?? current}</Link>
        </>
      )}
    </nav>
  );
}
