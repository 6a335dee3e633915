import type { Migration } from "kysely";
import * as m0 from "./20261122090000_create_tenants";
import * as m1 from "./20261122090100_create_sequences";
import * as m2 from "./20261122090200_create_customers";
import * as m3 from "./20261122090300_create_audit_log";
import * as m4 from "./20261122090400_create_domain_events";
import * as m5 from "./20261122100000_create_contacts";
import * as m6 from "./20261122100100_create_contact_tags";
import * as m7 from "./20261122100200_create_contact_imports";
import * as m8 from "./20261122100300_create_contact_exports";
import * as m9 from "./20261122110000_create_communications";
import * as m10 from "./20261122110100_create_message_templates";
import * as m11 from "./20261122110200_create_suppressions";
import * as m12 from "./20261122110300_create_follow_ups";
import * as m13 from "./20261122110400_create_users_and_files";
import * as m14 from "./20261122110500_create_notification_log";
import * as m15 from "./20261122120000_create_complaints";
import * as m16 from "./20261122120100_create_testimonials";
import * as m17 from "./20261122130000_create_customer_search_terms";
import * as m18 from "./20261202090000_add_communication_resent_from";
import * as p1m0 from "./20261203100000_add_customers_active_email";
import * as p1m1 from "./20261203100100_add_customer_record_fields";
import * as p1m2 from "./20261203100200_create_customer_tags";
import * as p1m3 from "./20261203100300_create_customer_activity";
import * as p2m0 from "./20261203110000_create_customer_name_keys";
import * as p2m1 from "./20261203110100_create_customer_phone_grams";
import * as p3m0 from "./20261203120000_add_transfer_kind";
import * as p3m1 from "./20261203120100_create_customer_bulk_jobs";
import * as p4m0 from "./20261203130000_create_customer_merges";
import * as p5m0 from "./20261203140000_create_customer_match_keys";
import * as p5m1 from "./20261203140100_create_customer_duplicate_pairs";
import * as p5m2 from "./20261203140200_create_customer_duplicate_work";
import * as p5m3 from "./20261203140300_requeue_customer_match_keys";
import * as p6m0 from "./20261203155000_add_testimonials_moderation_index";
import * as v3m0 from "./20261204120000_create_consumed_events";
import * as v1m0 from "./20261204110000_create_customer_attendance";
import * as v1m1 from "./20261204110100_create_customer_rating_history";
import * as v1m2 from "./20261204110200_create_customer_loyalty_history";
import * as v1m3 from "./20261204110300_add_customer_rating_loyalty";
import * as v1m4 from "./20261204110400_create_customer_inactivity";
import * as v1m5 from "./20261204110500_create_value_recalculations";
import * as v1m6 from "./20261204110600_add_transactions_loyalty_index";
import * as v4m0 from "./20261204130000_create_customer_segments";
import * as v4m1 from "./20261204130100_create_customer_segment_membership";
import * as v5m0 from "./20261204140000_create_customer_events";
import * as v5m1 from "./20261204140100_create_customer_event_keys";
import * as v5m2 from "./20261204140200_create_customer_event_rollups";
import * as v5m3 from "./20261204140300_create_customer_active_periods";
import * as v5m4 from "./20261204140400_add_customers_tier_index";
import * as v5m5 from "./20261204140500_create_tenant_cohort_counts";
import * as v2m0 from "./20261204100000_create_customer_transactions";
import * as v2m1 from "./20261204100100_create_customer_ltv_history";
import * as v2m2 from "./20261204100200_create_customer_segment_history";
import * as v2m3 from "./20261204100300_add_customer_segment_override";

/** Listed statically so migrations run the same from tsx, tests and a bundle. */
export const migrations: Record<string, Migration> = {
  "20261122090000_create_tenants": m0,
  "20261122090100_create_sequences": m1,
  "20261122090200_create_customers": m2,
  "20261122090300_create_audit_log": m3,
  "20261122090400_create_domain_events": m4,
  "20261122100000_create_contacts": m5,
  "20261122100100_create_contact_tags": m6,
  "20261122100200_create_contact_imports": m7,
  "20261122100300_create_contact_exports": m8,
  "20261122110000_create_communications": m9,
  "20261122110100_create_message_templates": m10,
  "20261122110200_create_suppressions": m11,
  "20261122110300_create_follow_ups": m12,
  "20261122110400_create_users_and_files": m13,
  "20261122110500_create_notification_log": m14,
  "20261122120000_create_complaints": m15,
  "20261122120100_create_testimonials": m16,
  "20261122130000_create_customer_search_terms": m17,
  "20261202090000_add_communication_resent_from": m18,
  "20261203100000_add_customers_active_email": p1m0,
  "20261203100100_add_customer_record_fields": p1m1,
  "20261203100200_create_customer_tags": p1m2,
  "20261203100300_create_customer_activity": p1m3,
  "20261203110000_create_customer_name_keys": p2m0,
  "20261203110100_create_customer_phone_grams": p2m1,
  "20261203120000_add_transfer_kind": p3m0,
  "20261203120100_create_customer_bulk_jobs": p3m1,
  "20261203130000_create_customer_merges": p4m0,
  "20261203140000_create_customer_match_keys": p5m0,
  "20261203140100_create_customer_duplicate_pairs": p5m1,
  "20261203140200_create_customer_duplicate_work": p5m2,
  "20261203140300_requeue_customer_match_keys": p5m3,
  "20261203155000_add_testimonials_moderation_index": p6m0,
  "20261204120000_create_consumed_events": v3m0,
  "20261204110000_create_customer_attendance": v1m0,
  "20261204110100_create_customer_rating_history": v1m1,
  "20261204110200_create_customer_loyalty_history": v1m2,
  "20261204110300_add_customer_rating_loyalty": v1m3,
  "20261204110400_create_customer_inactivity": v1m4,
  "20261204110500_create_value_recalculations": v1m5,
  "20261204110600_add_transactions_loyalty_index": v1m6,
  "20261204130000_create_customer_segments": v4m0,
  "20261204130100_create_customer_segment_membership": v4m1,
  "20261204140000_create_customer_events": v5m0,
  "20261204140100_create_customer_event_keys": v5m1,
  "20261204140200_create_customer_event_rollups": v5m2,
  "20261204140300_create_customer_active_periods": v5m3,
  "20261204140400_add_customers_tier_index": v5m4,
  "20261204140500_create_tenant_cohort_counts": v5m5,
  "20261204100000_create_customer_transactions": v2m0,
  "20261204100100_create_customer_ltv_history": v2m1,
  "20261204100200_create_customer_segment_history": v2m2,
  "20261204100300_add_customer_segment_override": v2m3,
};
