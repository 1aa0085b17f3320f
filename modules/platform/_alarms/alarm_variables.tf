# Alarm inputs of every platform module that owns alarms (service, database, cache, queue, table).
# Each of those folders links this one file in as alarm_variables.tf; the alarms themselves and
# their default thresholds are in the module's own alarms.tf (local.alarm_defaults).

variable "alarm_topic_arn" {
  type        = string
  description = "SNS topic every alarm of the module notifies on ALARM and OK: the owning team's topic from its alerts root (accounts/<env>/teams/<team>). null creates the alarms without actions."
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]{1,256}$", var.alarm_topic_arn))
    error_message = "alarm_topic_arn must be null or an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<topic>)."
  }
}

variable "alarm_overrides" {
  type = map(object({
    threshold = optional(number)
    silenced  = optional(bool, false)
    reason    = optional(string)
  }))
  description = "Per-environment changes to the module's alarms, keyed by alarm (the keys of the README's alarm table): threshold replaces the platform default, silenced = true removes the alarm. Every override needs a reason, which is recorded in the alarm description."
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.alarm_overrides) : contains(keys(local.alarm_defaults), k)])
    error_message = "alarm_overrides keys must be alarms of this module: ${join(", ", sort(keys(local.alarm_defaults)))}."
  }

  validation {
    condition     = alltrue([for o in values(var.alarm_overrides) : try(length(trimspace(o.reason)), 0) >= 3])
    error_message = "every alarm override (a changed threshold or a silenced alarm) needs a reason of at least 3 characters."
  }

  validation {
    condition     = alltrue([for o in values(var.alarm_overrides) : o.silenced || o.threshold != null])
    error_message = "an alarm override must set a threshold or silenced = true."
  }

  validation {
    condition = alltrue([
      for k, o in var.alarm_overrides : o.threshold == null || try(o.threshold >= local.alarm_defaults[k].min && o.threshold <= local.alarm_defaults[k].max, true)
    ])
    error_message = "an alarm threshold override is outside the alarm's allowed range (see the min and max of each alarm in the module README)."
  }
}
