package policies

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestFastPathMatchesCasbin: the role table that Allow decides with must give
// exactly what Casbin's Enforce gives, for every user, scope and pair.
func TestFastPathMatchesCasbin(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	roles := []string{RoleAdmin, RoleEditor, RoleAuthor, RoleViewer}
	scopes := []string{ScopeAll, "office:a", "office:b", "department:a1", "department:b1", "department:b2"}
	users := []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "admin", "user:u1"}
	var grants []Grant
	for i := range 40 {
		g := Grant{ID: int64(i + 1), UserID: users[rng.IntN(len(users))], Role: roles[rng.IntN(len(roles))], Scope: scopes[rng.IntN(len(scopes))]}
		if g.Role == RoleAdmin && rng.IntN(3) > 0 {
			g.Scope = ScopeAll
		}
		if g.Scope != ScopeAll {
			_, g.ScopeID, _ = strings.Cut(g.Scope, ":") // ids as short as the names
		}
		grants = append(grants, g) // invalid (scoped admin) and duplicate grants included on purpose
	}
	s, err := newSnapshot(func() ([]Grant, error) { return grants, nil })
	if err != nil {
		t.Fatal(err)
	}
	pairs := append([]grantable{}, universe...)
	pairs = append(pairs,
		grantable{"offices", "approve"}, grantable{"settings", "read"},
		grantable{"departments.fields", "status"}, grantable{"", ""},
	)
	checked, allowed := 0, 0
	for _, u := range append(users, "nobody") {
		for _, sc := range scopes {
			for _, p := range pairs {
				fast, slow := s.check(u, sc, p.object, p.action), s.enforce(u, sc, p.object, p.action)
				if fast != slow {
					t.Errorf("%s in %s: %s %s: table says %v, Casbin says %v", u, sc, p.object, p.action, fast, slow)
				}
				checked++
				if fast {
					allowed++
				}
			}
		}
	}
	if allowed == 0 || allowed == checked {
		t.Fatalf("degenerate sample: %d of %d allowed", allowed, checked)
	}
	t.Logf("%d checks, %d allowed", checked, allowed)
}

func TestRoleBits(t *testing.T) {
	seen := roleSet(0)
	for _, r := range roleDescriptions {
		b := roleBit(r.name)
		if b == 0 || seen&b != 0 {
			t.Fatalf("roleBit(%q) = %b", r.name, b)
		}
		seen |= b
	}
	if roleBit("owner") != 0 {
		t.Fatal("unknown role has a bit")
	}
}

// TestAdapterIsReadOnly: the Casbin policy cannot be changed through Casbin,
// so every grant goes through AddGrant and its rules.
func TestAdapterIsReadOnly(t *testing.T) {
	s, err := newSnapshot(func() ([]Grant, error) {
		return []Grant{{ID: 1, UserID: "u1", Role: RoleEditor, Scope: "office:a", ScopeID: "a"}}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.casbin.AddGroupingPolicy(subject("u2"), RoleAdmin, ScopeAll); err == nil {
		t.Fatal("AddGroupingPolicy went through the read-only adapter")
	}
	if err := s.casbin.SavePolicy(); err == nil {
		t.Fatal("SavePolicy went through the read-only adapter")
	}
	if !s.enforce("u1", "office:a", ObjectOffices, ActionPublish) || s.enforce("u2", ScopeAll, ObjectUsers, ActionRead) {
		t.Fatal("the adapter did not load exactly the grants given")
	}
}
