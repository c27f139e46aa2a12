package org.simplevisor;

/**
 * How the members of a process group restart together (Erlang/OTP's restart strategies). A group is declared with
 * {@link Supervisor.Builder#group(String, GroupStrategy)} and joined with {@link ProcessOption#inGroup(String)}.
 *
 * <p>A group restart is due when a member's run ends and the member's own restart policy restarts it: that member is
 * the <em>trigger</em>. The members the strategy names, if they have a run or a pending restart, are cancelled (their
 * runs end with {@link ExitReason#GROUP}); once every one of those runs has ended and the trigger's restart delay has
 * passed, the trigger and the cancelled members start again in start order (priority, then registration order). A
 * cancelled member whose policy is {@link RestartPolicy#NEVER} is not restarted and ends {@link ProcessStatus#STOPPED}.
 * The restart counts against the trigger's restart limit; the members restarted with it count it in their totals
 * only. When the trigger exceeds its limit, the group gives up: the members the strategy names are stopped and
 * {@link ProcessStatus#FAILED}.
 */
public enum GroupStrategy {
    /** Only the member restarts, by its own policy, as if it were in no group. */
    ONE_FOR_ONE,
    /** Every member restarts with the trigger. */
    ONE_FOR_ALL,
    /** The trigger and the members after it in start order restart; those before it keep running. */
    REST_FOR_ONE
}
