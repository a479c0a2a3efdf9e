package journeys

import (
	"context"

	"github.com/trafficsim/trafficsim/harness"
)

// NewUser is someone who just found the service: checks it is up, signs up
// (sometimes fumbling the form), logs in, fills in a profile, preferences and
// an avatar, and looks around.
func (j *Journeys) NewUser(ctx context.Context, vu *harness.VU) error {
	st := j.stateOf(vu)
	if stepped, err := onboard(ctx, vu, st); stepped {
		return err
	}
	for _, step := range newUserSteps {
		if err := step(ctx, vu, st); err != nil {
			return err
		}
	}
	return walk(ctx, vu, st, newUserActions)
}

// The archetypes' steps and weighted actions. They are tables at package
// level, not literals in the journeys, because a literal's array would sit
// in the journey's frame on the stack of every thinking user: a user's
// goroutine stays at the runtime's 2 KiB minimum stack only while its
// deepest call chain fits (see harness.TestThinkingUser_Stack).
var (
	newUserSteps   = []func(context.Context, *harness.VU, *state) error{me, putProfile, putPreferences, putAvatar, unreadCount}
	newUserActions = []action{
		{3, getProfile}, {2, putProfile}, {2, getPreferences}, {2, patchUser},
		{2, unreadCount}, {2, notifications}, {1, listUsers}, {1, getAvatar}, {1, me}, {1, logout},
	}
	activeActions = []action{
		{6, listUsers}, {6, getUser}, {3, getProfile}, {2, putUser}, {2, patchUser},
		{3, activity}, {3, notifications}, {2, readNotification}, {2, unreadCount},
		{2, refresh}, {1, changePassword}, {2, forbiddenAdmin}, {1, me},
	}
	powerActions = []action{
		{4, pageThroughFive},
		{4, getUser}, {3, activity}, {3, notifications}, {2, readAll}, {2, readNotification},
		{2, secondDevice}, {2, sessions}, {2, getPreferences}, {2, putPreferences},
		{2, putAvatar}, {2, getAvatar}, {1, deleteAvatar}, {2, refresh}, {1, changePassword}, {1, logout},
	}
	adminActions = []action{
		{4, stats}, {3, audit}, {3, bulkCreate}, {2, bulkDeactivate}, {2, activate},
		{2, changeRole}, {2, deleteUser}, {4, listUsers}, {2, getUser},
	}
	unpromotedAdminActions = []action{{3, listUsers}, {2, getUser}, {1, forbiddenAdmin}}
)

// pageThroughFive pages through up to five pages of the user list.
func pageThroughFive(ctx context.Context, vu *harness.VU, st *state) error {
	return pageThrough(ctx, vu, st, 5)
}

// Active is a regular: reads lists and other users, edits their own
// account, refreshes tokens, reads notifications, and sometimes tries what
// they may not (an admin page, a missing user).
func (j *Journeys) Active(ctx context.Context, vu *harness.VU) error {
	st := j.stateOf(vu)
	if stepped, err := onboard(ctx, vu, st); stepped {
		return err
	}
	return walk(ctx, vu, st, activeActions)
}

// Power is a heavy user: pages deep through lists, manages sessions on
// several devices, changes avatars and preferences, reads everything.
func (j *Journeys) Power(ctx context.Context, vu *harness.VU) error {
	st := j.stateOf(vu)
	if stepped, err := onboard(ctx, vu, st); stepped {
		return err
	}
	return walk(ctx, vu, st, powerActions)
}
